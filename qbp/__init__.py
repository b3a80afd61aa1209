"""qbp: parameter-shared variational circuits, their landscapes and gradients."""

__version__ = "0.1.0"
