"""Witaj content service: the information a migrant reads, in their language."""
