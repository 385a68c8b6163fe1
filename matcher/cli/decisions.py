"""``talentmatch weights fit`` and ``talentmatch audit impact-ratios``: learning from decisions,
and auditing a profile before anyone publishes it."""

from __future__ import annotations

from pathlib import Path

import typer

from matcher.cli.app import app, fail, session_scope
from matcher.schemas import Track

weights_app = typer.Typer(
    help="Weight profiles fitted to recruiters' and clients' decisions.", no_args_is_help=True
)
audit_app = typer.Typer(help="Impact-ratio audits of weight profiles.", no_args_is_help=True)
app.add_typer(weights_app, name="weights")
app.add_typer(audit_app, name="audit")


@weights_app.command("fit")
def fit(
    ctx: typer.Context,
    track: Track = typer.Option(..., "--track", help="engineer or developer."),
    seed: int = typer.Option(0, "--seed", help="Seed of the pair sample and the bootstraps."),
    publish: bool = typer.Option(False, "--publish", help="Save the proposal as the next version."),
    force: bool = typer.Option(
        False, "--force", help="Publish even when it does not beat the current profile."
    ),
) -> None:
    """Fit the track's weights to its decisions; print them beside the current ones, with
    intervals, the held-out evaluation and the verdict (and publish with --publish)."""
    from matcher.services.accounts.service import Principal
    from matcher.services.decisions import fitting

    with session_scope(ctx) as session:
        if publish:
            published = fitting.publish_for(session, Principal.console(), track, seed=seed, force=force)
            rep = published.report
        else:
            rep = fitting.fit_for(session, Principal.console(), track, seed)
    f = rep.fit
    ev = f["evaluation"]
    typer.echo(
        f"track {track.value}: {f['outcomes']} decided candidates, {f['pairs']} pairs; current {f['current']}"
    )
    typer.echo(f"{'weight':<34}{'current':>9}{'proposed':>10}   95% interval")
    for i in f["intervals"]:
        typer.echo(
            f"{i['key']:<34}{i['current']:>9.3f}{i['proposed']:>10.3f}   {i['low']:.3f} .. {i['high']:.3f}"
        )
    cur, new = ev["current"], ev["proposed"]
    typer.echo(
        f"held-out ({ev['test_requirements']} requirements, fitted on the "
        f"{ev['train_requirements']} before): NDCG@10 {cur['ndcg']:.3f} -> {new['ndcg']:.3f}, "
        f"recall@10 of client interested or better {cur['recall']:.3f} -> {new['recall']:.3f}"
    )
    moved = sum(m.entered for m in rep.moves)
    typer.echo(
        f"top 10 of {len(rep.moves)} open requirements: {moved} candidates would enter (and as many leave)"
    )
    typer.echo(ev["verdict"])
    if publish:
        typer.echo(f"published {published.name}@v{published.version}")


@audit_app.command("impact-ratios")
def impact_ratios(
    ctx: typer.Context,
    profile: str | None = typer.Option(
        None,
        "--profile",
        help="Version to audit: N (of the track's default) or name@vN; default: the current.",
    ),
    track: list[Track] | None = typer.Option(None, "--track", help="Track(s) to audit; default: both."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the audit as CSV to this file."),
) -> None:
    """Selection rates and impact ratios per stage, by sex, race/ethnicity and both."""
    from matcher.services.accounts.service import Principal
    from matcher.services.decisions import audit

    if csv is not None and not csv.parent.is_dir():
        raise fail(f"directory {str(csv.parent)!r} does not exist")
    tracks = track or list(Track)
    with session_scope(ctx) as session:
        reports = [r for t in tracks for r in audit.reports_for(session, Principal.console(), t, profile)]
    if csv is not None:
        csv.write_text(audit.to_csv(reports), encoding="utf-8")
    for rep in reports:
        typer.echo(f"{rep.track.value}: {rep.profile}, {rep.people} people, top {rep.top}")
        typer.echo(
            f"  {'stage':<18}{'grouping':<22}{'category':<48}{'n':>6}{'sel':>6}{'rate':>8}{'ratio':>8}"
        )
        for r in rep.rows:
            ratio = "-" if r.impact_ratio is None else f"{r.impact_ratio:.3f}"
            note = "" if r.counted == "ratio" else f"  ({r.counted.replace('_', ' ')})"
            typer.echo(
                f"  {r.stage.value:<18}{r.grouping:<22}{r.category:<48}{r.people:>6}{r.selected:>6}"
                f"{r.selection_rate:>8.3f}{ratio:>8}{note}"
            )


@weights_app.command("simulate-decisions")
def simulate_decisions(
    ctx: typer.Context,
    seed: int = typer.Option(42, "--seed", help="Seed of the hidden preference's noise."),
) -> None:
    """Play recruiters and clients on every open shortlist (demo data: a hidden preference plus
    noise, through the real pipeline, so every move is logged)."""
    from matcher.services.decisions.simulate import simulate_decisions as simulate

    with session_scope(ctx) as session:
        moves = simulate(session, seed=seed)
    typer.echo(f"simulated {moves} decisions")
