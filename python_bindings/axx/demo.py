"""``python -m axx.demo``: the entry point of the ``axx.apps.demo`` application (nothing else;
the library does not import ``axx.apps``)."""
if __name__ == "__main__":
    from axx.apps.demo import main

    raise SystemExit(main())
