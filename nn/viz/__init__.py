"""Pictures of a network: ``draw_model`` (one sample through an MLP, every z, a, δ and
∂L/∂w) and ``TrainingView`` (the network, its outputs over the plane and the loss, frame by
frame while it trains). Both read the numbers from the model and its Value graph.
"""
