# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""pydantic v2 names, or inert stand-ins when pydantic is missing.

Model classes are defined at import time, so module_utils that declare models
import these names from here. Without pydantic the module still imports (the
sanity import test needs that); AstraModule then fails with missing_required_lib.
"""

import traceback

try:
    from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
    HAS_PYDANTIC = True
    PYDANTIC_IMPORT_ERROR = None
except ImportError:
    HAS_PYDANTIC = False
    PYDANTIC_IMPORT_ERROR = traceback.format_exc()

    BaseModel = object
    ConfigDict = dict

    class ValidationError(Exception):
        """Stand-in: never raised without pydantic."""

    def Field(default=None, **kwargs):  # pylint: disable=invalid-name
        return default

    def AfterValidator(function):  # pylint: disable=invalid-name
        return function

    def field_validator(*args, **kwargs):
        def decorator(function):
            return function
        return decorator

    def model_validator(*args, **kwargs):
        def decorator(function):
            return function
        return decorator


__all__ = [
    "AfterValidator",
    "BaseModel",
    "ConfigDict",
    "Field",
    "ValidationError",
    "field_validator",
    "model_validator",
    "HAS_PYDANTIC",
    "PYDANTIC_IMPORT_ERROR",
]
