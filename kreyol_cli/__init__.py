"""kreyol: English and French documents to Haitian Creole text and speech, offline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
