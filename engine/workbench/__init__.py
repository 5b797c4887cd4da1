"""The reviewers' workbench: a web application over the library, where a team rates a year together.

It sits above the library beside the command line and imports only the package root ``engine`` (an
import-linter contract holds that), as the CLI will. :mod:`.accounts` (accounts, sessions, sign-in
throttling) needs no web stack, so ``engine users`` stays light; :mod:`.app` builds the ASGI application
(``create_app``), served by ``engine serve``.
"""
