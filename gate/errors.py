"""The one kind of error the command line turns into a single line and exit code 2: bad input (a
usage error, a config, a checklist, a repository or an Action context that cannot be used). Each module
raises its own subclass; the command line catches this base without importing those modules."""


class InputProblem(Exception):
    pass
