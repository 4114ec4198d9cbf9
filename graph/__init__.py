"""ofsted-kg: a knowledge graph of Ofsted inspection reports on English children's services.

The data flows one way: sources (read) -> reader (parse) -> records -> findings -> rdf -> store -> queries
-> network and viz -> api (notebooks) and cli.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy, so that the command line does not import pandas and friends.
    if name == "KnowledgeGraph":
        from .api import KnowledgeGraph

        return KnowledgeGraph
    raise AttributeError(name)
