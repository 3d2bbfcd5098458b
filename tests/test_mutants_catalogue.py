"""`make mutants` (tests/mutants/) runs outside `make test`; what `make test` checks is that
its catalogue still fits the code: every mutant's line is there, exactly once, and the
tests it names exist. A rule rewritten without its mutants fails here, not months later."""

from __future__ import annotations

from tests.mutants.catalogue import MUTANTS
from tests.mutants.harness import REPO, apply, make_copy, mutated, repository_files


def test_every_mutant_applies_to_the_code_as_it_is():
    for mutant in MUTANTS:
        assert mutated(mutant) != ""


def test_mutants_are_named_once_and_enough_of_them():
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))
    assert len(MUTANTS) >= 30


def test_a_mutant_changes_a_copy_never_the_working_tree(tmp_path):
    """The harness writes mutants into a temporary copy only, so an interrupted or failed
    `make mutants` has nothing to restore."""
    mutant = MUTANTS[0]
    before = (REPO / mutant.path).read_bytes()
    root = make_copy(tmp_path / "copy", repository_files())
    apply(mutant, root)
    assert (root / mutant.path).read_text(encoding="utf-8") == mutated(mutant)
    assert (REPO / mutant.path).read_bytes() == before
