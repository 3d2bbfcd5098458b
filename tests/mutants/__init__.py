"""Mutation testing of the law and the safety promises (`make mutants`, README "Testing")."""
