import warnings

# NOTE: a library on our import path still imports eventlet (without monkey
# patching; Fenix runs on native threads). Its deprecation warning would
# greet every user of every command.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
