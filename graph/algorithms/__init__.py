"""Pure graph algorithms: networkx graph first, keyword options, no I/O."""
