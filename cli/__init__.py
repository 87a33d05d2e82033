"""The command line ``dxboard``: an entry point on top of loaders, metrics and the store."""
