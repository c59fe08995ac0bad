"""The demo cities `make run` starts with, as data files beside this package (see README.md), read by
`files.py` and written into the services by `seeding.py` (`witaj-demo`)."""
