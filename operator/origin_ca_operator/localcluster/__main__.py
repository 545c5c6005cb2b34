"""Entry point of ``python -m origin_ca_operator.localcluster``."""

import sys

from origin_ca_operator.localcluster.command import main

sys.exit(main())
