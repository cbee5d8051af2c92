"""Experiments: replications seeded, run (here, in a pool or on Dask), stored, resumed and summarised with
intervals; the results folder, written and read by one module; the model validated against queueing theory.
"""
