"""stepgrad's nn: neurons, layers, MLPs, losses and optimizers built from engine Values."""
