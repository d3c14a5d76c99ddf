"""Runs AWS CLI commands one after another in one process: the CLI's own entry point
(`awscli.clidriver.create_clidriver().main`, what the `aws` script calls), without paying
its start-up for each command. Run by the AWS CLI's own interpreter.

Reads one JSON list of arguments per line on stdin; writes one JSON object per line
(`rc`, `stdout`, `stderr`) to stdout.
"""

import io
import json
import sys


def run(argv: list[str]) -> dict[str, object]:
    from awscli.clidriver import create_clidriver

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.stdout, sys.stderr = out, err
    try:
        rc = create_clidriver().main(argv)
    except SystemExit as exit:
        rc = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    return {
        "rc": rc,
        "stdout": out.buffer.getvalue().decode("utf-8", "replace"),
        "stderr": err.buffer.getvalue().decode("utf-8", "replace"),
    }


def main() -> None:
    for line in sys.__stdin__:
        result = run(json.loads(line))
        sys.__stdout__.write(json.dumps(result) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
