"""The cert-manager external issuer: issuer health, signing, the kopf handlers.

The top layer of the operator. ``decisions`` is pure; ``issuers``,
``certificaterequests`` and ``kubecsrs`` do the work on top of the ``kube`` and
``cloudflare`` layers; ``handlers`` binds them to kopf; ``command`` runs it all.
"""
