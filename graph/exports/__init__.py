"""A selection of the graph (a :class:`graph.subgraph.Subgraph`: what Explore draws) for
other tools: FollowTheMoney entities for Aleph (:mod:`graph.exports.ftm`), GraphML for
Gephi, networkx and igraph (:mod:`graph.exports.graphml`), and a CSV set for
``neo4j-admin database import`` (:mod:`graph.exports.neo4j_csv`).

Each export carries what the drawing holds and its provenance (the partners and
deliveries of each record), never more: no raw identifier exists in the graph to be
exported, and who may export what is decided where the selection is read (the dashboard
logs every export it makes).
"""
