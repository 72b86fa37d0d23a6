"""Command line entry point: ``python -m helpers <command> [options]``.

Each command lives in its own module, which owns its argument parser (``main(argv) -> int``); this file only
dispatches, so importing ``helpers`` stays cheap and a broken command cannot break the others.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "generate": ("helpers.generate", "write a synthetic retail world (data + ground truth) / 生成模拟数据"),
    "check": ("helpers.quality", "load a data directory and print its data-quality summary / 数据质量摘要"),
    "release": ("helpers.release", "regenerate notebooks/ from solutions/ with nbgrader / 生成学员版"),
    "report": ("helpers.report", "run every module with papermill into reports/<run>/ / 运行会员经营报告"),
    "bundle": ("helpers.bundle", "write the trainee bundle (no solutions, no hidden tests) / 生成学员包"),
    "models": ("helpers.feedback.warm", "fit the feedback model once into the model cache / 预先训练反馈模型"),
}


def _usage() -> str:
    lines = ["usage: python -m helpers <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "python -m helpers <command> --help shows the options of one command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
