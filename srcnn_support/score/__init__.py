"""Guide step 5, postprocessing and scoring:
PSNR/SSIM, scoring a backend over images, the full-size protocol.
"""
