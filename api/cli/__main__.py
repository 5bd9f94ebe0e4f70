"""``python -m api.cli`` runs the command line."""

from api.cli import main

main()
