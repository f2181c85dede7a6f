"""Federation: this node as its peers know it, its peers, and what each would receive."""
