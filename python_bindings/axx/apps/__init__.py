"""Applications built on the axx library: the Fashion-MNIST demo (``python -m axx.demo``), the
training script of its ViT (``python -m axx.train``), the demo's report, the IDX dataset reader,
the shipped ViT and its checkpoint.

The boundary is one way: these modules import the library (``axx``, ``axx.nn``, ...); no library
module imports ``axx.apps`` (docs/architecture.md, "Library and applications").
"""
