"""The document's operations, one module per API area; each has TAG and PATHS."""
