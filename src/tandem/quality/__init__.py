"""Quality: truth inference, agreement, preferences, trust."""
