"""Benchmarks for claimwatch: alert quality and matching speed beside two baselines."""
