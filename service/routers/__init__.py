"""One APIRouter per resource group; handlers stay thin and delegate to use cases."""
