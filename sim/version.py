"""The package's version (kept in step with ``pyproject.toml``); a leaf module, so that any module may
name the version without importing the package."""

__version__ = "0.1.0"
