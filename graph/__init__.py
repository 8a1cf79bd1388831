"""Schakel's core: the schema, the only door to Neo4j, and the analysis.

``graph`` imports neither ``ingest`` nor ``dashboard``.
"""
