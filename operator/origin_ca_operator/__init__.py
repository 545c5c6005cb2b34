"""origin-ca-operator: Cloudflare Origin CA certificates on Kubernetes."""

__version__ = "0.1.0"
