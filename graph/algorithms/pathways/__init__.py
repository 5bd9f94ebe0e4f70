"""Pathways: the credentials that close a gap, in order, at least cost or hours.

The public face of the package. :mod:`~graph.algorithms.pathways.problem` turns candidate
credentials, constraints and an objective into an integer program;
:mod:`~graph.algorithms.pathways.solvers` solves it (exact MILP, greedy, LP bound);
:mod:`~graph.algorithms.pathways.optimiser` chooses between them and returns the pathways.
"""

from graph.algorithms.pathways.optimiser import (
    EXACT_LIMIT,
    MAX_ALTERNATIVES,
    MAX_OBJECTIVE_WEIGHT,
    REDUCE_ABOVE,
    Bound,
    CandidateCredential,
    Constraints,
    Method,
    Objective,
    Pathway,
    PathwayStep,
    SkillLevel,
    optimal_pathways,
)

__all__ = [
    "EXACT_LIMIT",
    "MAX_ALTERNATIVES",
    "MAX_OBJECTIVE_WEIGHT",
    "REDUCE_ABOVE",
    "Bound",
    "CandidateCredential",
    "Constraints",
    "Method",
    "Objective",
    "Pathway",
    "PathwayStep",
    "SkillLevel",
    "optimal_pathways",
]
