"""``python -m origin_ca_operator`` runs the command line."""

import sys

from origin_ca_operator.cli import main

sys.exit(main())
