"""A local simulator of the NetApp Astra Control REST API (ACC 24.02 flavour).

It is an independent implementation of the API contract, used to rehearse and
test the kubedr.astra collection offline. It never imports the collection.
"""

__version__ = "0.1.0"
