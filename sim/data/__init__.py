"""Data in and out: the organisation's own logs read and fitted (calibration), today's service measured, a
run's event log, a results folder as one workbook, a starting config for a new sector.
"""
