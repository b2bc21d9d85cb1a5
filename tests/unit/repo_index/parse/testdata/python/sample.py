"""Python sample for the golden test."""
import os
import os.path as osp
from collections import OrderedDict
from . import sibling
from ..pkg.mod import thing

MAX_SIZE = 10
default_name = "x"


# A helper function.
def helper(value: int) -> List[int]:
    return [value]


class Base:
    pass


@dataclass
class Config(Base):
    """Holds settings.

    More text.
    """

    retries = 3

    def load(self, path: str) -> "Config":
        """Loads from path."""
        data = open(path).read()
        return self.parse(data)

    class Inner:
        def run(self):
            helper(1)
