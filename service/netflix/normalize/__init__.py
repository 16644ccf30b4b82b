"""Pure functions turning upstream documents (`Doc`, from XML or Netflix JSON) into schema models.

One module per resource group; none of them performs I/O or knows how the document arrived.
"""
