"""Witaj benchmarks: every figure is printed beside a baseline measured in the same run.

Each `bench/<area>.py` module exposes `async def run(env: BenchEnv) -> list[Result]`; `python -m bench`
(`make bench`) starts the embedded broker and database once, runs every module, prints one table and
writes `bench/results.json`. Absolute times depend on the machine, so goals are stated as ratios to a
baseline wherever the issue allows it.
"""
