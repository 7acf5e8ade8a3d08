"""``python -m chargehub`` is the ``chargehub`` command."""
from chargehub.cli import main

main()
