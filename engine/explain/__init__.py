"""Why not band N: what stands in the way of another band, and the smallest changes to the evidence that
reach it, each checked by evaluating the changed profile through the whole engine."""
