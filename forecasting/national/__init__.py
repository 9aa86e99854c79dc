"""DfE's published figures for every English council: the bundled extract, its builder,
and the assumption sets generated from it."""
