"""``python -m axx.train``: the entry point of the ``axx.apps.train`` application (nothing else;
the library does not import ``axx.apps``)."""
if __name__ == "__main__":
    from axx.apps.train import main

    raise SystemExit(main())
