"""Kubernetes plumbing: API access, Secrets, conditions, status writes, events.

This layer speaks Kubernetes but knows nothing of kopf or of when to sign. It
may use :mod:`origin_ca_operator.certificates` and ``errors``, never ``issuer``.
"""
