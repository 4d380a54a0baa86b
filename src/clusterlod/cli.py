"""The ``clusterlod`` command: one verb per stage of the pipeline.

Commands are imported only when they run, so ``clusterlod build`` does not pay
for the web server or the SPARQL client at start-up.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import signal
import sys
import traceback

import click

from clusterlod import __version__
from clusterlod.errors import ClusterlodError, ExitCode

#: command name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "build": "clusterlod.commands.build:build",
    "validate": "clusterlod.commands.build:validate",
    "archive": "clusterlod.commands.build:archive",
    "query": "clusterlod.commands.query:query",
    "queries": "clusterlod.commands.query:queries",
    "load": "clusterlod.commands.load:load",
    "serve": "clusterlod.commands.serve:serve",
    "site": "clusterlod.commands.serve:site",
    "reload": "clusterlod.commands.serve:reload",
    "redirects": "clusterlod.commands.serve:redirects",
    "links": "clusterlod.commands.links:links",
    "bench": "clusterlod.commands.bench:bench",
    "diff": "clusterlod.commands.diff:diff",
}


class LazyGroup(click.Group):
    """A click group that imports each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._module_exists(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None or not self._module_exists(name):
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)

    @staticmethod
    def _module_exists(name: str) -> bool:
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


#: Set by ``--debug``: an internal error then shows its traceback.
_debug = False


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    global _debug
    _debug = _debug or value


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="clusterlod")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
              help="On an internal error, show the Python traceback.")
def cli() -> None:
    """Publish MEXT's 2008 Knowledge Cluster page as linked open data.

    The pipeline runs one way: data/ -> graph -> validate -> publish (dist/)
    -> load into a triple store / serve over HTTP. Exit codes are listed in docs/cli.md.
    """


def main() -> None:
    """Entry point: every failure is one line on stderr and an exit code from ``ExitCode``."""
    try:
        # Not ``cli.main``: on Ctrl-C it prints an empty line before the one this handler prints.
        with cli.make_context("clusterlod", sys.argv[1:]) as ctx:
            cli.invoke(ctx)
    except ClusterlodError as error:
        click.echo(f"clusterlod: error: {error}", err=True)
        sys.exit(error.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("clusterlod: aborted", err=True)
        sys.exit(ExitCode.ABORTED)
    except click.UsageError as error:
        if isinstance(error, click.exceptions.NoArgsIsHelpError):
            error.show()  # the whole help: what to type
        else:
            command = error.ctx.command_path if error.ctx is not None else "clusterlod"
            click.echo(f"clusterlod: error: {error.format_message().rstrip('.')} (see `{command} --help`)", err=True)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except BrokenPipeError:
        _end_like_a_unix_filter()
    except Exception as error:
        if _debug:
            traceback.print_exc()
        click.echo(f"clusterlod: internal error ({type(error).__name__}); run with --debug for the traceback",
                   err=True)
        sys.exit(ExitCode.INTERNAL)


def _end_like_a_unix_filter() -> None:
    """The reader of our output went away (``clusterlod queries | head``): end as ``cat`` would.

    Python ignores SIGPIPE so that servers survive a client that hangs up; a filter should
    instead die of it quietly, so the shell sees 128+13 and ``set -o pipefail`` sees a failure.
    """
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
