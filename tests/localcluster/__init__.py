"""Tests of the local control plane: that it is a real Kubernetes API."""
