"""The sales service: sales at the point of sale, with their stock decrements in one transaction."""
