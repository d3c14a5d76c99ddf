"""harvest-tui: a terminal explorer for AWS Elemental MediaPackage v2 harvest jobs."""

__version__ = "0.1.0"
