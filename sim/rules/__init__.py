"""Rules: the rule catalogue, the static permit checker and the Violation type.

The catalogue (:mod:`sim.rules.catalogue`: id, article, severity, message), the static permit
checker (:func:`sim.rules.check.check_bundle`) and the :class:`~sim.rules.violation.Violation`
type that both the checker and the run-time monitor report.
"""
