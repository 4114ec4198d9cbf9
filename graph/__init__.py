"""ofsted-kg: a knowledge graph of Ofsted inspection reports on English children's services.

The data flows one way: sources (read) -> reader (parse) -> records -> ... -> cli.
"""

__version__ = "0.1.0"
