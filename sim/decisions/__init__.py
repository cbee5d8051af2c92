"""Decisions: the least staffing that meets the norms, the roster HR can implement, the business case, and
what would change it (sensitivity, screening, input uncertainty, the saving's waterfall).
"""
