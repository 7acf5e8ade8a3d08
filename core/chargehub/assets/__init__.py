"""Charging assets (汽车管理 / 单车管理): stations, areas, spaces, cameras, piles, guns, devices, sockets."""
