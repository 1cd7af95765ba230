from ninja import Router

router = Router(tags=["reps"])
